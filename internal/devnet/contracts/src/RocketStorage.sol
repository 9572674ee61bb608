// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's RocketStorage for the stakewallet devnet: the
// interface of rocket-pool/rocketpool@fef41a4f contracts/contract/RocketStorage.sol
// for the parts a client and the other model contracts use (address, uint,
// bool and int storage, the guardian, the deployed flag), with the same
// revert strings and the same access rule: until setDeployedStatus() the
// guardian (as tx.origin) and registered network contracts may write; after
// it, only contracts registered under "contract.exists".
//
// Not modelled: string/bytes/bytes32 storage and the node withdrawal
// addresses. MODEL-ONLY: the constructor takes the guardian (the real one
// uses msg.sender), and the deploying account may also write during
// deployment, so that a deployer other than the guardian can wire it.
contract RocketStorage {
    event GuardianChanged(address oldGuardian, address newGuardian);

    mapping(bytes32 => uint256) private uintStorage;
    mapping(bytes32 => int256) private intStorage;
    mapping(bytes32 => address) private addressStorage;
    mapping(bytes32 => bool) private booleanStorage;

    address private guardian;
    address private newGuardian;
    address private immutable deployer;
    bool private storageInit = false;

    modifier onlyLatestRocketNetworkContract() {
        if (storageInit == true) {
            require(booleanStorage[keccak256(abi.encodePacked("contract.exists", msg.sender))], "Invalid or outdated network contract");
        } else {
            require((
                booleanStorage[keccak256(abi.encodePacked("contract.exists", msg.sender))] || tx.origin == guardian || tx.origin == deployer
            ), "Invalid or outdated network contract attempting access during deployment");
        }
        _;
    }

    constructor(address _guardian) {
        guardian = _guardian;
        deployer = msg.sender;
    }

    function getGuardian() external view returns (address) {
        return guardian;
    }

    function setGuardian(address _newAddress) external {
        require(msg.sender == guardian, "Is not guardian account");
        newGuardian = _newAddress;
    }

    function confirmGuardian() external {
        require(msg.sender == newGuardian, "Confirmation must come from new guardian address");
        address oldGuardian = guardian;
        guardian = newGuardian;
        delete newGuardian;
        emit GuardianChanged(oldGuardian, guardian);
    }

    function getDeployedStatus() external view returns (bool) {
        return storageInit;
    }

    function setDeployedStatus() external {
        require(msg.sender == guardian || msg.sender == deployer, "Is not guardian account");
        storageInit = true;
    }

    function getAddress(bytes32 _key) external view returns (address r) {
        return addressStorage[_key];
    }

    function getUint(bytes32 _key) external view returns (uint256 r) {
        return uintStorage[_key];
    }

    function getBool(bytes32 _key) external view returns (bool r) {
        return booleanStorage[_key];
    }

    function getInt(bytes32 _key) external view returns (int r) {
        return intStorage[_key];
    }

    function setAddress(bytes32 _key, address _value) external onlyLatestRocketNetworkContract {
        addressStorage[_key] = _value;
    }

    function setUint(bytes32 _key, uint _value) external onlyLatestRocketNetworkContract {
        uintStorage[_key] = _value;
    }

    function setBool(bytes32 _key, bool _value) external onlyLatestRocketNetworkContract {
        booleanStorage[_key] = _value;
    }

    function setInt(bytes32 _key, int _value) external onlyLatestRocketNetworkContract {
        intStorage[_key] = _value;
    }

    function deleteAddress(bytes32 _key) external onlyLatestRocketNetworkContract {
        delete addressStorage[_key];
    }

    function deleteUint(bytes32 _key) external onlyLatestRocketNetworkContract {
        delete uintStorage[_key];
    }

    function deleteBool(bytes32 _key) external onlyLatestRocketNetworkContract {
        delete booleanStorage[_key];
    }

    function deleteInt(bytes32 _key) external onlyLatestRocketNetworkContract {
        delete intStorage[_key];
    }

    function addUint(bytes32 _key, uint256 _amount) external onlyLatestRocketNetworkContract {
        uintStorage[_key] = uintStorage[_key] + _amount;
    }

    function subUint(bytes32 _key, uint256 _amount) external onlyLatestRocketNetworkContract {
        uintStorage[_key] = uintStorage[_key] - _amount;
    }
}
